// Print button for the shortlist (no inline scripts: the CSP allows scripts from this origin only).
document.addEventListener("click", function (event) {
  var target = event.target;
  if (target instanceof Element && target.closest("[data-print]")) {
    window.print();
  }
});

// After htmx swaps in an answer: move focus and scroll to the results, and tell screen readers the summary
// (the status region lives outside the swapped part, so the announcement is short).
document.addEventListener("htmx:afterSwap", function (event) {
  var target = event.detail && event.detail.target;
  if (!(target instanceof HTMLElement) || target.id !== "results") {
    return;
  }
  var status = document.getElementById("finder-status");
  var summary = target.querySelector("[data-finder-status]");
  var alert = target.querySelector(".errors h2");
  if (status) {
    status.textContent = summary ? summary.textContent : alert ? alert.textContent : "";
  }
  target.focus({ preventScroll: true });
  target.scrollIntoView({ block: "start" });
});
