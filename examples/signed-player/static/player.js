// Shared by the three pages: reads ?asset=, reports what the player does in
// #state and window.playerState (the browser tests read it).
'use strict';

const params = new URLSearchParams(location.search);
const asset = params.get('asset') || 'abc';
const playlistName = params.get('playlist') || 'index.m3u8';
const api = (path) => path + '?asset=' + encodeURIComponent(asset) + '&playlist=' + encodeURIComponent(playlistName);
const video = document.querySelector('video');
window.playerState = { method: document.body.dataset.method, playing: false, currentTime: 0, errors: [] };

function report(extra) {
  Object.assign(window.playerState, extra || {});
  window.playerState.currentTime = video.currentTime;
  document.getElementById('state').textContent = JSON.stringify(window.playerState, null, 2);
}

video.addEventListener('timeupdate', () => report({ playing: video.currentTime > 0 }));
video.addEventListener('error', () => report({ errors: window.playerState.errors.concat('video: ' + (video.error && video.error.message)) }));

// hls.js network and fatal errors, with the HTTP status of a failed load
// (403 when a request carried no valid signature); recoverable media
// warnings (bufferSeekOverHole...) go to warnings.
function watch(hls) {
  hls.on(Hls.Events.ERROR, (event, data) => {
    const status = data.response && data.response.code;
    const line = data.details + (status ? ' ' + status : '');
    if (data.fatal || data.type === Hls.ErrorTypes.NETWORK_ERROR) {
      report({ errors: window.playerState.errors.concat(line) });
    } else {
      report({ warnings: (window.playerState.warnings || []).concat(line) });
    }
  });
  return hls;
}

async function getJSON(url) {
  const r = await fetch(url, { credentials: 'same-origin' });
  if (!r.ok) throw new Error(url + ': ' + r.status);
  return r.json();
}
