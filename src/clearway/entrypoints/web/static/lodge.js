// The declaration form (no inline scripts: the CSP forbids them).
// 1. After the server shows the form again (an item added, problems found, a draft resumed),
//    what it shows becomes the browser's draft, and the focus goes where the person is
//    working: the error summary, or the item just added.
// 2. Lodging clears the browser's draft; if the server refuses the declaration, step 1 keeps
//    it again.
(function () {
  "use strict";
  var form = document.querySelector("form.declaration-form");
  if (!form) { return; }
  var key = "clearway-draft:" + form.dataset.draftKey;
  if (form.dataset.draftFresh === "0" && window.clearwayDrafts) {
    window.clearwayDrafts.save(form);
  }
  var summary = document.getElementById("error-summary");
  var target = summary || (form.dataset.focus && document.getElementById(form.dataset.focus));
  if (target) {
    target.focus();
    if (target.scrollIntoView) { target.scrollIntoView({ block: "center" }); }
  }
  form.addEventListener("submit", function (event) {
    var action = event.submitter ? event.submitter.value : "";
    if (action === "lodge" || action === "amend") {
      try { window.localStorage.removeItem(key); } catch (error) { /* storage off */ }
    }
  });
})();

// The upload form: a file over the limit is refused here, before it is sent, with the same
// words the server uses (the app refuses oversized bodies before the page could answer).
(function () {
  "use strict";
  var form = document.querySelector("form.upload-form");
  if (!form) { return; }
  var input = form.querySelector("input[type=file]");
  var limit = parseInt(form.dataset.maxBytes || "0", 10);
  form.addEventListener("submit", function (event) {
    var file = input.files && input.files[0];
    if (!file || !limit || file.size <= limit) { return; }
    event.preventDefault();
    var summary = document.getElementById("error-summary");
    var fieldError = document.getElementById("f-file-error");
    summary.querySelector("strong").textContent = form.dataset.tooLarge;
    Array.prototype.forEach.call(summary.querySelectorAll("ul"), function (list) { list.remove(); });
    fieldError.textContent = form.dataset.tooLarge;
    summary.hidden = false;
    fieldError.hidden = false;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", "f-file-hint f-file-error");
    summary.focus();
  });
})();
