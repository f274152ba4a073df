// Budget grid: live totals while typing and "Aggiungi riga". The server stays the
// authority (it recomputes every total from the saved lines); this only previews.

const ITALIAN = /^\d{1,3}(\.\d{3})+(,\d+)?$|^\d+(,\d+)?$/;
const DOT_DECIMAL = /^\d+\.\d{1,2}$/;

function parseAmount(text) {
  const clean = (text || '').replace(/[\s\u00a0€']/g, '');
  if (clean === '' || clean === '-' || clean === '–') return 0;
  if (ITALIAN.test(clean)) return Math.round(parseFloat(clean.replace(/\./g, '').replace(',', '.')) * 100);
  if (DOT_DECIMAL.test(clean)) return Math.round(parseFloat(clean) * 100);
  return null; // not a number: the server will say why
}

function formatCents(cents) {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  let integer = String(Math.floor(abs / 100));
  const decimals = String(abs % 100).padStart(2, '0');
  const groups = [];
  while (integer.length > 3) {
    groups.unshift(integer.slice(-3));
    integer = integer.slice(0, -3);
  }
  groups.unshift(integer);
  return `${sign}${groups.join('.')},${decimals} €`;
}

function sumRows(rows, name) {
  let total = 0;
  let valid = true;
  rows.forEach((row) => {
    const del = row.querySelector('.js-delete');
    if (del && del.checked) return;
    const input = row.querySelector(`input[data-total="${name}"]`);
    if (!input) return;
    const cents = parseAmount(input.value);
    if (cents === null) valid = false;
    else total += cents;
  });
  return { total, valid };
}

function recompute(table) {
  const grand = { preventivo: 0, consuntivo: 0 };
  let allValid = true;
  table.querySelectorAll('tbody.js-action').forEach((group) => {
    const rows = group.querySelectorAll('tr.js-line');
    ['preventivo', 'consuntivo'].forEach((name) => {
      const { total, valid } = sumRows(rows, name);
      grand[name] += total;
      allValid = allValid && valid;
      const out = group.querySelector(`output[data-total="${name}"]`);
      if (out) out.textContent = valid ? formatCents(total) : 'importo non valido';
    });
  });
  const foot = table.querySelector('tfoot.js-grand');
  ['preventivo', 'consuntivo'].forEach((name) => {
    const out = foot && foot.querySelector(`output[data-total="${name}"]`);
    if (out) out.textContent = allValid ? formatCents(grand[name]) : 'importo non valido';
  });
}

function addRow(table, button) {
  const template = document.getElementById('budget-empty-row');
  const totalInput = document.querySelector(`input[name="${table.dataset.totalForms}"]`);
  if (!template || !totalInput) return;
  const index = parseInt(totalInput.value, 10);
  const html = template.innerHTML.replace(/__prefix__/g, String(index));
  const holder = document.createElement('tbody');
  holder.innerHTML = html;
  const row = holder.querySelector('tr');
  row.querySelector('input[name$="-action"]').value = button.dataset.action;
  const group = button.closest('tbody');
  group.insertBefore(row, group.querySelector('tr.subtotal'));
  totalInput.value = String(index + 1);
  const first = row.querySelector('input[type="text"]');
  if (first) first.focus();
}

document.querySelectorAll('table.js-budget-grid').forEach((table) => {
  table.addEventListener('input', () => recompute(table));
  table.addEventListener('change', () => recompute(table));
  table.querySelectorAll('.js-add-row').forEach((button) => {
    button.classList.remove('d-none');
    button.addEventListener('click', () => addRow(table, button));
  });
  recompute(table);
});
