/* Convening: a text filter for long person lists, and the browser's time zone as a default. */
(function () {
  "use strict";
  /* Django's JavaScript catalogue defines gettext, ngettext and interpolate; English without it. */
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, many, n) { return n === 1 ? one : many; };
  var interpolate = window.interpolate || function (fmt, args) { return fmt.replace(/%s/g, function () { return args.shift(); }); };
  function filterFor(select) {
    if (select.dataset.filterReady) return;
    select.dataset.filterReady = "1";
    var id = select.id + "-filter";
    var wrap = document.createElement("div");
    wrap.className = "select-filter";
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = gettext("Type to narrow the list below");
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.autocomplete = "off";
    input.setAttribute("aria-controls", select.id);
    var status = document.createElement("p");
    status.className = "small muted";
    status.setAttribute("role", "status");
    wrap.appendChild(label);
    wrap.appendChild(input);
    wrap.appendChild(status);
    select.parentNode.insertBefore(wrap, select);
    input.addEventListener("input", function () {
      var words = input.value.toLocaleLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0, first = null;
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.value) return;
        var text = option.textContent.toLocaleLowerCase();
        var match = words.every(function (w) { return text.indexOf(w) !== -1; });
        option.hidden = !match;
        option.disabled = !match && !option.selected;
        if (match) { shown += 1; if (!first) first = option; }
      });
      status.textContent = words.length ? interpolate(ngettext("%s person matches", "%s people match", shown), [shown]) : "";
      if (shown === 1 && first) select.value = first.value;
    });
  }
  function zoneDefault(form) {
    var select = form.querySelector("select[name=time_zone]");
    if (!select || select.value !== "UTC") return;
    try {
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (zone && select.querySelector('option[value="' + zone + '"]')) select.value = zone;
    } catch (e) { /* keep UTC */ }
  }
  function init() {
    document.querySelectorAll("select[data-filter]").forEach(filterFor);
    document.querySelectorAll("form[data-zone-default]").forEach(zoneDefault);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
