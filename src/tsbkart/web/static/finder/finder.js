// Print button for the shortlist (no inline scripts: the CSP allows scripts from this origin only).
document.addEventListener("click", function (event) {
  var target = event.target;
  if (target instanceof Element && target.closest("[data-print]")) {
    window.print();
  }
});
