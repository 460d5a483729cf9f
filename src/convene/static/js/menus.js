// Section menus (community, session, joint response, project, insights) collapse on a phone
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
