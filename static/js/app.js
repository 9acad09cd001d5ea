// Portal Efí: the few behaviours pages share. No inline scripts (CSP), and
// every page works without this file: forms post, links navigate.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Confirm dialog: <form data-confirm="Cancelar esta cobrança?"> asks first.
  var pending = null;
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    var msg = form.getAttribute && form.getAttribute("data-confirm");
    if (!msg || form.dataset.confirmed === "1") { return; }
    var dialog = document.getElementById("confirm-dialog");
    if (!dialog || typeof dialog.showModal !== "function") { return; }
    ev.preventDefault();
    ev.stopPropagation();
    pending = { form: form, submitter: ev.submitter };
    dialog.querySelector("#confirm-text").textContent = msg;
    dialog.returnValue = "";
    dialog.showModal();
  }, true);
  document.addEventListener("close", function (ev) {
    if (ev.target.id !== "confirm-dialog" || !pending) { return; }
    var p = pending; pending = null;
    if (ev.target.returnValue === "ok") {
      p.form.dataset.confirmed = "1";
      if (p.form.requestSubmit) { p.form.requestSubmit(p.submitter || undefined); } else { p.form.submit(); }
      delete p.form.dataset.confirmed;
    }
  }, true);

  // Toasts: dismiss on click, fade after a while.
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest("[data-dismiss]");
    if (btn) { btn.parentElement.remove(); }
    var copy = ev.target.closest && ev.target.closest("[data-copy]");
    if (copy && navigator.clipboard) {
      navigator.clipboard.writeText(copy.getAttribute("data-copy")).then(function () {
        var old = copy.textContent; copy.textContent = copy.getAttribute("data-copied") || "✓";
        setTimeout(function () { copy.textContent = old; }, 1500);
      });
    }
  });
  function ageToasts(root) {
    (root || document).querySelectorAll(".toast:not([data-aged])").forEach(function (t) {
      t.setAttribute("data-aged", "1");
      if (!t.classList.contains("toast-error")) { setTimeout(function () { t.remove(); }, 6000); }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { ageToasts(); });
  document.addEventListener("htmx:afterSettle", function () { ageToasts(); });

  // <select data-autosubmit> submits its form on change (the language picker).
  document.addEventListener("change", function (ev) {
    if (ev.target.matches && ev.target.matches("select[data-autosubmit]")) { ev.target.form.submit(); }
  });

  // After an htmx swap of the main area, move focus there for screen readers.
  document.addEventListener("htmx:afterSwap", function (ev) {
    if (ev.detail && ev.detail.target && ev.detail.target.id === "main") { ev.detail.target.focus(); }
  });
})();
