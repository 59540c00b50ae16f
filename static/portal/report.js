// The portfolio report's "Skriv ut" button (no inline script: the CSP forbids it). The
// button stays hidden without JavaScript, where the browser's own print command remains.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print-report]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});
