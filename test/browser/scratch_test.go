package browser

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

func TestScratch(t *testing.T) {
	set := requireComponents(t)
	fs := http.FileServer(http.Dir(set.Dir))
	media := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if o := r.Header.Get("Origin"); o != "" {
			w.Header().Set("Access-Control-Allow-Origin", o)
		}
		w.Header().Set("Vary", "Origin")
		w.Header().Set("Cache-Control", "max-age=3600")
		fs.ServeHTTP(w, r)
	}))
	defer media.Close()
	page := pageServer(t, nil)
	ctx, netlog := tab(t)
	navigate(t, ctx, page.URL+"/player/index.html?src="+url.QueryEscape(media.URL+"/"+set.TSMaster))
	ct := eval[float64](t, ctx, `new Promise(r => { const v = document.getElementById('video'); const f = () => v.currentTime > 2 ? r(v.currentTime) : setTimeout(f, 100); f(); })`)
	t.Log(ct, eval[string](t, ctx, `JSON.stringify({e: player.engine, n: player.nativeHLS, errs: player.errors})`))
	logRequests(t, netlog)
}
