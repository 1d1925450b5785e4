/* 长者模式 / 关怀版: larger type, more line spacing, higher contrast (assets/a11y.css, html.elder).
 * Loaded in <head> so a page opens already in the chosen mode; the choice persists in localStorage
 * and follows the visitor to every page (and to other open tabs). */
(function () {
  "use strict";
  var KEY = "yingshang-elder-mode", html = document.documentElement;

  function stored() {
    try { return window.localStorage.getItem(KEY) === "1"; } catch (e) { return false; }
  }

  /* The button's visible state (：已开启) follows html.elder in assets/a11y.css, so a page that opens in
   * 长者模式 is drawn with it and nothing moves when this script wires the button. */
  function apply(on) {
    html.classList.toggle("elder", on);
    document.querySelectorAll("[data-care-toggle]").forEach(function (button) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }

  apply(stored());

  function wire() {
    document.querySelectorAll("[data-care-toggle]").forEach(function (button) {
      button.addEventListener("click", function () {
        var on = !html.classList.contains("elder");
        try {
          if (on) window.localStorage.setItem(KEY, "1"); else window.localStorage.removeItem(KEY);
        } catch (e) { /* storage blocked: the mode still applies to this page */ }
        apply(on);
      });
    });
    apply(html.classList.contains("elder"));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wire); else wire();
  window.addEventListener("storage", function (e) { if (e.key === KEY) apply(stored()); });
})();
