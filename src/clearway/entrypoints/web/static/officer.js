// The officer's pages refresh parts of themselves every few seconds (the queue, the live
// status). A refresh must not pull the table from under someone working in it: while the
// keyboard focus is inside the refreshed part, the new copy is not swapped in; the next one
// after focus leaves is.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target && target.contains(document.activeElement) && document.activeElement !== document.body) {
      event.detail.shouldSwap = false;
    }
  });
})();
