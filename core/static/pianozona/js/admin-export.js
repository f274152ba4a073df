// The admin's export page: "Tutte le colonne" ticks or clears every column. django-import-export
// binds it with an inline onchange, which the Content-Security-Policy refuses.
const toggle = document.getElementById("select-all-toggle");
if (toggle && typeof onSelectToggleChange === "function") {
  toggle.addEventListener("change", onSelectToggleChange);
}
