// Copy buttons (the TOTP secret, the recovery codes), as a static file: the CSP forbids inline
// script. A button names its field in data-copy-target and its live region in
// data-copy-status; the texts to announce come translated from the template. The button ships
// `hidden` and is shown here, so without JavaScript there is no button that does nothing.
(() => {
  // The Clipboard API needs a secure context and may still be refused (permissions, focus):
  // then the old execCommand, which copies the current selection.
  async function copy(field) {
    const text = field.value !== undefined ? field.value : field.textContent;
    if (navigator.clipboard && window.isSecureContext) {
      try {
        await navigator.clipboard.writeText(text);
        return true;
      } catch (error) {
        // fall through to selecting the text
      }
    }
    field.focus();
    if (field.select) field.select();
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  function announce(status, text) {
    // Emptied first, so a second click is announced again.
    status.textContent = "";
    window.setTimeout(() => { status.textContent = text; }, 50);
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-copy-target]").forEach((button) => {
      const field = document.getElementById(button.dataset.copyTarget);
      const status = document.getElementById(button.dataset.copyStatus);
      if (!field || !status) return;
      button.hidden = false;
      button.addEventListener("click", async () => {
        if (await copy(field)) {
          announce(status, button.dataset.copiedText);
        } else {
          // Not copied: the text is left selected for the user's own Ctrl+C.
          field.focus();
          if (field.select) field.select();
          announce(status, button.dataset.selectedText);
        }
      });
    });
  });
})();
