/* Opinion map plot: one tab stop, arrow keys move from bubble to bubble (largest first), and the
   line under the plot says which group the bubble under the pointer or the focus belongs to. */
(function () {
  "use strict";
  function setUp(svg) {
    var out = document.getElementById(svg.getAttribute("data-plot"));
    var items = Array.prototype.slice.call(svg.querySelectorAll(".bubble"));
    if (!items.length) return;
    function show(el) {
      items.forEach(function (i) { i.classList.toggle("is-current", i === el); });
      if (out) out.textContent = el.getAttribute("aria-label");
    }
    function move(from, to) {
      from.setAttribute("tabindex", "-1");
      to.setAttribute("tabindex", "0");
      to.focus();
    }
    items.forEach(function (el, i) {
      el.setAttribute("tabindex", i === 0 ? "0" : "-1");
      el.addEventListener("focus", function () { show(el); });
      el.addEventListener("mouseenter", function () { show(el); });
      el.addEventListener("keydown", function (e) {
        var next = null;
        if (e.key === "ArrowRight" || e.key === "ArrowDown") next = items[Math.min(i + 1, items.length - 1)];
        else if (e.key === "ArrowLeft" || e.key === "ArrowUp") next = items[Math.max(i - 1, 0)];
        else if (e.key === "Home") next = items[0];
        else if (e.key === "End") next = items[items.length - 1];
        if (next) {
          e.preventDefault();
          move(el, next);
        }
      });
    });
  }
  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("svg[data-plot]"), setUp);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
