// eventwire dashboard: the little JavaScript there is. Everything works without it.
(function () {
  "use strict";

  // Document page: show one event's spans (from ?event=ID, #e-ID or a click in the list).
  function focusEvent(id, scroll) {
    var text = document.getElementById("doc-text");
    if (!text || !id) return;
    document.querySelectorAll("#doc-text mark.focus, .event-list li.focus").forEach(function (el) {
      el.classList.remove("focus");
    });
    var marks = text.querySelectorAll("mark.e-" + CSS.escape(id));
    marks.forEach(function (m) { m.classList.add("focus"); });
    var item = document.getElementById("e-" + id);
    if (item) item.classList.add("focus");
    if (scroll && marks.length) marks[0].scrollIntoView({ block: "center" });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var text = document.getElementById("doc-text");
    if (text) {
      var initial = text.getAttribute("data-focus") || (location.hash.indexOf("#e-") === 0 ? location.hash.slice(3) : "");
      focusEvent(initial, true);
      document.querySelectorAll("button.pick").forEach(function (b) {
        b.addEventListener("click", function () { focusEvent(b.getAttribute("data-event"), true); });
      });
      text.addEventListener("click", function (ev) {
        var mark = ev.target.closest("mark[data-events]");
        if (mark) focusEvent(mark.getAttribute("data-events").split(" ")[0], false);
      });
    }
    // Filter forms: leave empty fields out of the URL.
    document.querySelectorAll("details.filters form").forEach(function (form) {
      form.addEventListener("submit", function () {
        form.querySelectorAll("input, select").forEach(function (el) {
          if (el.type !== "checkbox" && !el.value) el.disabled = true;
        });
      });
    });
  });
})();
