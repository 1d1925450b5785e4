// The preview's live reload (served by `serve` only, never part of a build): when the
// site has been rebuilt, the open page loads again and shows the change, or the problems.
(function () {
  "use strict";
  var seen = null;
  function poll() {
    fetch("/__preview__/state", { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (state) {
        if (seen !== null && state.version !== seen) { location.reload(); return; }
        seen = state.version;
        setTimeout(poll, 250);
      })
      .catch(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
