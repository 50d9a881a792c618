package edge

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"

	"github.com/mediacdn/mediacdn/cfconfig"
)

// CloudFront Functions limits emulated here (DG cloudfront-limits.html,
// "Quotas on CloudFront Functions"): 10 KB of code. CloudFront's compute
// budget is not reproducible on another machine; a run is stopped after
// Options.FunctionTimeout instead, which only catches runaway code.
const maxFunctionCodeBytes = 10 << 10

var (
	// importCF matches the one import CloudFront Functions allow for the cf
	// module: import cf from 'cloudfront';
	importCF = regexp.MustCompile(`(?m)^[ \t]*import[ \t]+([A-Za-z_$][A-Za-z0-9_$]*)[ \t]+from[ \t]+['"]cloudfront['"][ \t]*;?`)
	// otherModule matches any other import or require.
	otherModule = regexp.MustCompile(`(?m)^[ \t]*import[ \t]|\brequire[ \t]*\(`)
	// originMethods are cf module features that change origins or read a
	// KeyValueStore: not emulated.
	originMethods = regexp.MustCompile(`\b(kvs|updateRequestOrigin|selectRequestOriginById|createRequestOriginGroup)[ \t]*\(`)
)

// function is one compiled CloudFront Function; runtimes are pooled since a
// goja runtime serves one goroutine at a time.
type function struct {
	name    string
	event   string
	program *goja.Program
	timeout time.Duration
	pool    sync.Pool
}

type jsRuntime struct {
	vm      *goja.Runtime
	handler goja.Callable
}

// compileFunction checks what the edge can run and compiles the code once.
func compileFunction(f cfconfig.Function, timeout time.Duration) (*function, error) {
	switch {
	case f.LambdaEdge:
		return nil, fmt.Errorf("%s (%s) is a Lambda@Edge function: not emulated, only CloudFront Functions run locally", f.Name, f.EventType)
	case f.EventType != "viewer-request" && f.EventType != "viewer-response":
		return nil, fmt.Errorf("function %s has event type %q: CloudFront Functions only run on viewer-request and viewer-response", f.Name, f.EventType)
	case f.Code == "":
		return nil, fmt.Errorf("function %s (%s): its code is not in the template (an ARN of a function defined elsewhere), so it cannot run locally", f.Name, f.EventType)
	case len(f.Code) > maxFunctionCodeBytes:
		return nil, fmt.Errorf("function %s: %d bytes of code, over CloudFront's 10 KB limit for a function", f.Name, len(f.Code))
	case len(f.KeyValueStores) > 0:
		return nil, fmt.Errorf("function %s is associated with a KeyValueStore: not emulated", f.Name)
	case f.Runtime != "" && f.Runtime != "cloudfront-js-1.0" && f.Runtime != "cloudfront-js-2.0":
		return nil, fmt.Errorf("function %s: unknown runtime %q (want cloudfront-js-1.0 or cloudfront-js-2.0)", f.Name, f.Runtime)
	}
	code := importCF.ReplaceAllString(f.Code, "var $1 = __cloudfront;")
	if otherModule.MatchString(code) {
		return nil, fmt.Errorf("function %s imports a module other than 'cloudfront' (crypto, querystring, ...): not emulated", f.Name)
	}
	if originMethods.MatchString(code) {
		return nil, fmt.Errorf("function %s uses cf.kvs() or origin modification (updateRequestOrigin, selectRequestOriginById, createRequestOriginGroup): not emulated", f.Name)
	}
	prog, err := goja.Compile(f.Name, code, false)
	if err != nil {
		return nil, fmt.Errorf("function %s does not compile: %v", f.Name, err)
	}
	fn := &function{name: f.Name, event: f.EventType, program: prog, timeout: timeout}
	rt, err := fn.newRuntime()
	if err != nil {
		return nil, err
	}
	fn.pool.Put(rt)
	return fn, nil
}

func (f *function) newRuntime() (*jsRuntime, error) {
	vm := goja.New()
	cf := vm.NewObject()
	for _, m := range []string{"kvs", "updateRequestOrigin", "selectRequestOriginById", "createRequestOriginGroup"} {
		name := m
		_ = cf.Set(name, func(goja.FunctionCall) goja.Value {
			panic(vm.NewGoError(fmt.Errorf("cf.%s is not emulated by the local edge", name)))
		})
	}
	_ = vm.Set("__cloudfront", cf)
	if _, err := vm.RunProgram(f.program); err != nil {
		return nil, fmt.Errorf("function %s fails at load: %v", f.name, err)
	}
	h, ok := goja.AssertFunction(vm.Get("handler"))
	if !ok {
		return nil, fmt.Errorf("function %s defines no top-level function handler(event)", f.name)
	}
	return &jsRuntime{vm: vm, handler: h}, nil
}

// errFunction is a function that threw, timed out or returned nonsense:
// CloudFront answers 503 (FunctionExecutionError).
var errFunction = errors.New("function execution error")

// run calls handler(event) and returns what it returned, exported.
func (f *function) run(event map[string]any) (map[string]any, error) {
	rt, _ := f.pool.Get().(*jsRuntime)
	if rt == nil {
		var err error
		if rt, err = f.newRuntime(); err != nil {
			return nil, err
		}
	}
	fired := make(chan struct{})
	timer := time.AfterFunc(f.timeout, func() { rt.vm.Interrupt("time limit"); close(fired) })
	v, err := rt.handler(goja.Undefined(), rt.vm.ToValue(event))
	if !timer.Stop() {
		// The timer fired, or is firing: wait until its Interrupt is set, so
		// that clearing it here cannot come first and leave a pending
		// interrupt that would fail the runtime's next, unrelated run.
		<-fired
		rt.vm.ClearInterrupt()
	}
	if err != nil {
		var ie *goja.InterruptedError
		if errors.As(err, &ie) {
			// A runtime interrupted mid-run may hold broken state: drop it.
			return nil, fmt.Errorf("%w: %s ran longer than %v", errFunction, f.name, f.timeout)
		}
		f.pool.Put(rt)
		return nil, fmt.Errorf("%w: %s threw: %v", errFunction, f.name, err)
	}
	f.pool.Put(rt)
	if p, ok := v.Export().(*goja.Promise); ok { // an async handler
		switch p.State() {
		case goja.PromiseStateFulfilled:
			v = p.Result()
		case goja.PromiseStateRejected:
			return nil, fmt.Errorf("%w: %s rejected: %v", errFunction, f.name, p.Result())
		default:
			return nil, fmt.Errorf("%w: %s returned a promise that never settled (no I/O is possible in a function)", errFunction, f.name)
		}
	}
	out, ok := v.Export().(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: %s returned %s, not a request or response object", errFunction, f.name, v.String())
	}
	return out, nil
}

// --- event objects (cloudfront-js event structure, DG functions-event-structure.html) ---

// headerObject renders HTTP headers as {name: {value, multiValue?}} with
// lowercase names; cookies are left to cookieObject.
func headerObject(h map[string][]string, skip string) map[string]any {
	out := make(map[string]any, len(h))
	for k, vs := range h {
		name := strings.ToLower(k)
		if name == skip || len(vs) == 0 {
			continue
		}
		out[name] = valueObject(vs)
	}
	return out
}

func valueObject(vs []string) map[string]any {
	o := map[string]any{"value": vs[0]}
	if len(vs) > 1 {
		mv := make([]any, len(vs))
		for i, v := range vs {
			mv[i] = map[string]any{"value": v}
		}
		o["multiValue"] = mv
	}
	return o
}

// values reads back a {value, multiValue} object.
func values(v any) []string {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	if mv, ok := m["multiValue"].([]any); ok && len(mv) > 0 {
		var out []string
		for _, e := range mv {
			if em, ok := e.(map[string]any); ok {
				out = append(out, fmt.Sprint(em["value"]))
			}
		}
		return out
	}
	if s, ok := m["value"]; ok && s != nil {
		return []string{fmt.Sprint(s)}
	}
	return nil
}

// headersFrom reads a headers object back into canonical HTTP headers.
func headersFrom(v any) map[string][]string {
	m, _ := v.(map[string]any)
	out := make(map[string][]string, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if vs := values(m[k]); vs != nil {
			out[canonical(k)] = vs
		}
	}
	return out
}
