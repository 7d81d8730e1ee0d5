package catalog

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"sync"
)

//go:embed data/*.json
var dataFS embed.FS

var registry = sync.OnceValue(func() map[string]*Family {
	entries, err := dataFS.ReadDir("data")
	if err != nil {
		panic(fmt.Sprintf("catalog: reading embedded data: %v", err))
	}
	m := make(map[string]*Family, len(entries))
	for _, e := range entries {
		b, err := dataFS.ReadFile(path.Join("data", e.Name()))
		if err != nil {
			panic(fmt.Sprintf("catalog: reading %s: %v", e.Name(), err))
		}
		var f Family
		if err := json.Unmarshal(b, &f); err != nil {
			panic(fmt.Sprintf("catalog: decoding %s: %v", e.Name(), err))
		}
		f.index()
		m[f.Name] = &f
	}
	return m
})
