// The administrator's pages: "Copy" on a key shown once copies it to the clipboard.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  const said = button.parentElement.querySelector(".copied");
  field.select();
  const done = () => { if (said) said.textContent = "Copied"; };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, () => {
      if (said) said.textContent = "Select the key and copy it by hand";
    });
  } else if (document.execCommand("copy")) {
    done();
  }
});
