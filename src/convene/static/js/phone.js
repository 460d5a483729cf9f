// Small screens. Section menus (community, session, joint response, project, insights) collapse on a phone
// behind a button with aria-expanded. Without this file the menus simply wrap, in full.
document.addEventListener("DOMContentLoaded", () => {
  const phone = window.matchMedia("(max-width: 40rem)");
  const menus = Array.from(document.querySelectorAll("main nav[aria-label].row")).filter(
    (nav) => nav.querySelectorAll("a").length > 3,
  );
  menus.forEach((nav, index) => {
    if (!nav.id) nav.id = `section-menu-${index + 1}`;
    const current = nav.querySelector('a[aria-current="page"]');
    const button = document.createElement("button");
    button.type = "button";
    button.className = "menu-toggle secondary";
    button.setAttribute("aria-controls", nav.id);
    button.setAttribute("aria-expanded", "false");
    button.textContent = `${nav.getAttribute("aria-label")}${current ? `: ${current.textContent.trim()}` : ""}`;
    nav.classList.add("collapsible");
    nav.parentNode.insertBefore(button, nav);
    const apply = () => {
      const open = !phone.matches || button.getAttribute("aria-expanded") === "true";
      nav.hidden = !open;
    };
    button.addEventListener("click", () => {
      button.setAttribute("aria-expanded", button.getAttribute("aria-expanded") === "true" ? "false" : "true");
      apply();
    });
    phone.addEventListener("change", apply);
    apply();
  });
});

// Wide tables scroll inside their own box (never the page); a box that scrolls can be reached and
// scrolled with the keyboard, and says what it holds (the table's caption).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("main table").forEach((table) => {
    let box = table.parentElement;
    if (!box.classList.contains("table-wrap")) {
      box = document.createElement("div");
      box.className = "table-wrap";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    }
    const label = () => {
      const caption = table.querySelector("caption");
      return caption && caption.textContent.trim() ? caption.textContent.trim() : gettext("Table");
    };
    const mark = () => {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", interpolate(gettext("%s (scrolls sideways)"), [label()]));
      } else if (box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    };
    mark();
    window.addEventListener("resize", mark);
  });
});
