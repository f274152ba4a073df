// Every admin page (templates/admin/base_site.html).
// Django's two-box selector (SelectFilter2.js, e.g. a user's groups) draws its search icon as a
// <span aria-label="…">: a name on an element without a role is not read out (axe:
// aria-prohibited-attr). Once the selectors are built (on load), the icon becomes an image.
window.addEventListener("load", () => {
  document.querySelectorAll(".search-label-icon[aria-label]:not([role])").forEach((icon) => {
    icon.setAttribute("role", "img");
  });
});

// Django's date-and-time widget (admin/widgets/split_datetime.html) writes "Data:" and "Ora:"
// as bare text before its two inputs, which are then unnamed (axe: label). The form renderer
// reads Django's own widget templates, so the texts become the inputs' labels here.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("p.datetime input[id]").forEach((input) => {
    const text = input.previousSibling;
    if (input.labels.length || !text || text.nodeType !== Node.TEXT_NODE || !text.textContent.trim()) {
      return;
    }
    const label = document.createElement("label");
    label.htmlFor = input.id;
    label.textContent = text.textContent.trim();
    text.replaceWith(" ", label, " ");
  });
});
