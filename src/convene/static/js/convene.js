// Small progressive enhancements; every page works without this file.
// First visit: remember the browser's time zone (an IANA name such as "Asia/Singapore") in a cookie,
// so the server shows times in it until the person picks a zone in their profile (accounts.zones).
(function rememberTimeZone() {
  if (document.cookie.split("; ").some((c) => c.startsWith("convene_tz="))) return;
  let zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    return;
  }
  if (/^[A-Za-z0-9_+\-\/]{1,64}$/.test(zone)) {
    document.cookie = `convene_tz=${zone}; path=/; max-age=31536000; SameSite=Lax`;
  }
})();
// A table too wide for the screen scrolls sideways inside its .table-wrap: make that box reachable
// with the keyboard (and named after the table's caption), so it can be scrolled without a mouse.
function focusableScrollers() {
  document.querySelectorAll(".table-wrap").forEach((wrap) => {
    if (wrap.dataset.scroller === "no") return;
    const scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
    if (scrolls && !wrap.hasAttribute("tabindex")) {
      wrap.setAttribute("tabindex", "0");
      wrap.dataset.scroller = "yes";
      if (!wrap.hasAttribute("role")) wrap.setAttribute("role", "region");
      const caption = wrap.querySelector("caption");
      if (!wrap.hasAttribute("aria-label") && caption) wrap.setAttribute("aria-label", caption.textContent.trim());
    } else if (!scrolls && wrap.dataset.scroller === "yes") {
      wrap.removeAttribute("tabindex");
      delete wrap.dataset.scroller;
    }
  });
}
window.addEventListener("resize", focusableScrollers);
document.addEventListener("htmx:afterSettle", focusableScrollers);

document.addEventListener("DOMContentLoaded", () => {
  focusableScrollers();
  // Ask before destructive actions (forms marked data-confirm).
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
  // Copy buttons for secrets shown once (API tokens, session codes).
  document.querySelectorAll("[data-copy]").forEach((button) => {
    button.addEventListener("click", () => {
      const target = document.getElementById(button.dataset.copy);
      if (target && navigator.clipboard) navigator.clipboard.writeText(target.textContent.trim());
      button.textContent = gettext("Copied");
    });
  });
});
