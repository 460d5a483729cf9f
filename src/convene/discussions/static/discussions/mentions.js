/* Mention autocomplete for text boxes marked data-mentions="<search url>" (our own, no library).
 * Typing "@" and two letters lists matching members as buttons under the box; Down arrow moves to
 * them, Enter or a click inserts "@[Name](user:ID)", Escape closes. A live region says how many match. */
(function () {
  "use strict";
  var TOKEN = /@([^\s@\[\]()]{2,30})$/;

  function setup(box) {
    var url = box.getAttribute("data-mentions");
    if (!url) return;
    var list = document.createElement("ul");
    list.className = "mention-list";
    list.id = box.id + "-mentions";
    list.hidden = true;
    list.setAttribute("aria-label", gettext("People to mention"));
    var status = document.createElement("p");
    status.className = "sr-only";
    status.setAttribute("role", "status");
    box.insertAdjacentElement("afterend", status);
    box.insertAdjacentElement("afterend", list);
    var timer = null, start = -1, asked = "";

    function close() { list.hidden = true; list.textContent = ""; start = -1; }

    function choose(person) {
      var caret = box.selectionStart;
      var text = "@[" + person.name.replace(/[\[\]]/g, "") + "](user:" + person.id + ") ";
      box.value = box.value.slice(0, start) + text + box.value.slice(caret);
      var at = start + text.length;
      close();
      status.textContent = person.name + " mentioned.";
      box.focus();
      box.setSelectionRange(at, at);
    }

    function show(people) {
      list.textContent = "";
      people.forEach(function (person) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "secondary";
        button.textContent = "@" + person.name;
        button.addEventListener("click", function () { choose(person); });
        button.addEventListener("keydown", function (e) {
          if (e.key === "Escape") { close(); box.focus(); }
        });
        item.appendChild(button);
        list.appendChild(item);
      });
      list.hidden = people.length === 0;
      status.textContent = people.length
        ? interpolate(
            ngettext("%s person matches; press Down to choose.", "%s people match; press Down to choose.", people.length),
            [people.length],
          )
        : gettext("Nobody in this community matches.");
    }

    box.addEventListener("input", function () {
      var before = box.value.slice(0, box.selectionStart);
      var m = TOKEN.exec(before);
      if (!m) { close(); return; }
      start = before.length - m[0].length;
      asked = m[1];
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = asked;
        fetch(url + "?q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { people: [] }; })
          .then(function (data) { if (q === asked && start >= 0) show(data.people || []); })
          .catch(close);
      }, 200);
    });
    box.addEventListener("keydown", function (e) {
      if (list.hidden) return;
      if (e.key === "ArrowDown") { e.preventDefault(); list.querySelector("button").focus(); }
      else if (e.key === "Escape") { close(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-mentions]").forEach(setup);
  });
})();
