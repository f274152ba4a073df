// A table box that scrolls sideways (a phone, a wide grid) must be reachable and named for
// the keyboard and screen readers (axe: scrollable-region-focusable). Boxes written with the
// scroll_region tag already are; any other .table-responsive gets role, name (its
// caption) and tabindex while its content is wider than the box.
function nameRegions() {
  for (const box of document.querySelectorAll('.table-responsive:not(.scroll-region)')) {
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls && !box.hasAttribute('tabindex')) {
      const caption = box.querySelector('caption');
      box.setAttribute('role', 'region');
      box.setAttribute('aria-label', box.dataset.label || (caption ? caption.textContent.trim() : 'Tabella'));
      box.tabIndex = 0;
      box.dataset.namedByScript = '1';
    } else if (!scrolls && box.dataset.namedByScript) {
      box.removeAttribute('role');
      box.removeAttribute('aria-label');
      box.removeAttribute('tabindex');
      delete box.dataset.namedByScript;
    }
  }
}

nameRegions();
let pending = null;
window.addEventListener('resize', () => {
  window.clearTimeout(pending);
  pending = window.setTimeout(nameRegions, 150);
});
