// baton Bridge: live regions over Server-Sent Events, nothing else.
// A page with <div id="live" data-live-path data-live-digest> opens one
// EventSource; the server sends the region's new HTML after commits that
// changed it. No polling: the browser waits on the stream.
(function () {
  "use strict";
  var region = document.getElementById("live");
  var status = document.getElementById("live-status");
  function say(text) { if (status) { status.textContent = text; } }
  if (region && window.EventSource) {
    var url = "/bridge/live?path=" + encodeURIComponent(region.dataset.livePath) +
      "&v=" + encodeURIComponent(region.dataset.liveDigest || "");
    var es = new EventSource(url);
    var updates = 0;
    es.addEventListener("open", function () { say("Live: updates appear as they happen."); });
    es.addEventListener("live", function (e) {
      region.innerHTML = e.data;
      localTimes(region);
      updates++;
      document.body.setAttribute("data-live-updates", String(updates));
    });
    es.addEventListener("gone", function () { es.close(); say("This page no longer exists; reload to see why."); });
    es.addEventListener("error", function () { say("Live updates paused; reconnecting…"); });
  }
  // Show times in the reader's own zone as a tooltip.
  function localTimes(root) {
    root.querySelectorAll("time[datetime]").forEach(function (t) {
      var d = new Date(t.getAttribute("datetime"));
      if (!isNaN(d)) { t.title = d.toLocaleString(); }
    });
  }
  localTimes(document);
})();
