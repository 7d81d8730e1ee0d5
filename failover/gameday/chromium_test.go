package gameday

import (
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// chromium finds a headless-capable Chromium; under CI it must exist.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is required under CI (apt-get install -y chromium; scripts/setup installs it)")
	}
	t.Skip("chromium not installed")
	return ""
}

func chromiumRun(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	cmd.WaitDelay = 5 * time.Second
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

// TestHTMLInChromium renders report.html in headless Chromium and checks
// that the timeline was drawn: the DOM has a lane per probe, database
// first, and the screenshot has the lanes' colours — ok, refused, 502 and
// 504 — over a real area, not a blank page.
func TestHTMLInChromium(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, []byte(HTML(sampleReport())), 0o644); err != nil {
		t.Fatal(err)
	}
	url := "file://" + page

	dom := string(chromiumRun(t, bin, "--dump-dom", url))
	db, app := strings.Index(dom, `id="lane-database"`), strings.Index(dom, `id="lane-app"`)
	if db < 0 || app < 0 || db > app {
		t.Fatalf("the DOM lacks the lanes in order (database at %d, app at %d):\n%.2000s", db, app, dom)
	}
	if !strings.Contains(dom, "The database was back after 2.1 s") {
		t.Error("the DOM lacks the sentence")
	}

	shot := filepath.Join(dir, "shot.png")
	chromiumRun(t, bin, "--screenshot="+shot, "--window-size=1100,420", "--hide-scrollbars", url)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	want := map[string]string{ClassOK: colour(ClassOK), "refused": colour("refused"), Class502: colour(Class502), Class504: colour(Class504)}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if name := match(img, x, y, want); name != "" {
				counts[name]++
			}
		}
	}
	t.Logf("lane pixels by class: %v", counts)
	// Each lane segment is at least a few pixels wide and 20 high; the
	// 504 run spans most of the app lane.
	for name, min := range map[string]int{ClassOK: 5000, "refused": 200, Class502: 200, Class504: 5000} {
		if counts[name] < min {
			t.Errorf("%s: %d pixels of %s in the screenshot, want at least %d", name, counts[name], want[name], min)
		}
	}
	if os.Getenv("GAMEDAY_SCREENSHOT") != "" {
		data, _ := os.ReadFile(shot)
		_ = os.WriteFile(os.Getenv("GAMEDAY_SCREENSHOT"), data, 0o644)
	}
}

// match names the colour of want that the pixel at x,y has (within a
// small tolerance for colour management), or "".
func match(img image.Image, x, y int, want map[string]string) string {
	r, g, b, _ := img.At(x, y).RGBA()
	for name, hex := range want {
		var wr, wg, wb uint32
		for i, p := range []*uint32{&wr, &wg, &wb} {
			var v uint32
			for _, c := range hex[1+2*i : 3+2*i] {
				v = v*16 + uint32(strings.IndexRune("0123456789abcdef", c))
			}
			*p = v
		}
		if near(r>>8, wr) && near(g>>8, wg) && near(b>>8, wb) {
			return name
		}
	}
	return ""
}

func near(a, b uint32) bool { return a+6 >= b && b+6 >= a }
