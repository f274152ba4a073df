// The "Stampa" button of the read views (no inline script: the CSP forbids it).
for (const button of document.querySelectorAll(".js-print")) {
  button.addEventListener("click", () => window.print());
}
