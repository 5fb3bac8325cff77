// Mamori's small behaviours, as a static file so the CSP needs no inline script.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-select-all]").forEach((box) => {
    box.addEventListener("change", () => {
      box.closest("form").querySelectorAll('input[name="pk"]').forEach((c) => { c.checked = box.checked; });
    });
  });
  document.querySelectorAll("[data-confirm]").forEach((button) => {
    button.addEventListener("click", (event) => {
      if (!window.confirm(button.dataset.confirm)) event.preventDefault();
    });
  });
});
