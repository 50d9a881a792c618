package browser

// checkPage is the page the check serves on the app's origin. Its two
// functions run the checks; Go calls them over DevTools and reads their
// results.
const checkPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mediacdn doctor</title>
<script src="hls.min.js"></script></head>
<body><video id="video" crossorigin="anonymous" muted playsinline></video>
<script>
"use strict";
// mediacdnFetch loads o.url with <img> first when o.img (as a gallery shows
// it), then fetches it with CORS as a download button does.
window.mediacdnFetch = async function (o) {
  var out = { img: null, ok: false, size: 0, error: "" };
  if (o.img) {
    out.img = await new Promise(function (resolve) {
      var img = new Image();
      img.onload = function () { resolve(true); };
      img.onerror = function () { resolve(false); };
      img.src = o.url;
    });
  }
  try {
    var r = await fetch(o.url, { mode: "cors", credentials: o.credentials });
    var blob = await r.blob();
    out.ok = r.ok;
    out.size = blob.size;
    if (!r.ok) { out.error = "HTTP " + r.status; }
  } catch (e) {
    out.error = String(e);
  }
  return out;
};

// mediacdnPlay plays o.url with hls.js until o.seconds have played, a fatal
// error, or o.waitMs. With o.query, every URL under o.prefix without a query
// of its own gets it (a signed asset's query).
window.mediacdnPlay = function (o) {
  return new Promise(function (resolve) {
    var video = document.getElementById("video");
    var out = { supported: !!(window.Hls && Hls.isSupported()), currentTime: 0, errors: [] };
    if (!out.supported) { return resolve(out); }
    var hls = new Hls({ xhrSetup: function (xhr, url) {
      xhr.withCredentials = !!o.credentials;
      if (o.query && url.indexOf(o.prefix) === 0 && url.indexOf("?") < 0) {
        // Opening here makes hls.js use this URL (it opens only unopened requests).
        xhr.open("GET", url + "?" + o.query, true);
      }
    } });
    var finished = false;
    function finish() {
      if (finished) { return; }
      finished = true;
      out.currentTime = video.currentTime;
      hls.destroy();
      resolve(out);
    }
    hls.on(Hls.Events.ERROR, function (event, data) {
      out.errors.push({
        type: data.type, details: data.details, fatal: !!data.fatal,
        url: (data.frag && data.frag.url) || (data.context && data.context.url) || data.url || "",
        status: data.response ? data.response.code : 0
      });
      if (data.fatal) { finish(); }
      // hls.js retries failed loads for many seconds; a few are enough to judge.
      if (data.type === "networkError" && video.currentTime === 0) { setTimeout(finish, 3000); }
    });
    video.addEventListener("timeupdate", function () { if (video.currentTime > o.seconds) { finish(); } });
    setTimeout(finish, o.waitMs);
    hls.loadSource(o.url);
    hls.attachMedia(video);
    video.play().catch(function () {});
  });
};
</script></body></html>
`
