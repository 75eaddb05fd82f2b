package docsynth

import (
	"fmt"
	"image"
	"math/rand"

	"github.com/openidv/openidv/internal/document"
)

// Sample is one synthetic photo with its ground truth, in photo pixels.
type Sample struct {
	Name    string
	Kind    Kind
	Variant Variant
	Image   *image.RGBA
	// MRZ is the expected MRZ (nil for CardNoMRZ).
	MRZ []string
	// Quad is the document's outline.
	Quad document.Quad
	// MRZQuad is the MRZ band's outline (zero without MRZ).
	MRZQuad document.Quad
	// Portrait is the outline of the holder's photo.
	Portrait document.Quad
	// Defects names what was applied beyond the clean photo (the variant).
	Defects []string
}

// Photo places page in a fresh photo with placement pl and applies v.
func Photo(page *Page, pl Placement, v Variant, r *rand.Rand) (*Sample, error) {
	pl = v.placement(pl, r)
	pw, ph := page.Image.Rect.Dx(), page.Image.Rect.Dy()
	q := pl.quadFor(pw, ph, r)
	toPhoto, ok := document.HomographyFromQuads(document.RectQuad(float64(pw), float64(ph)), q)
	if !ok {
		return nil, fmt.Errorf("docsynth: degenerate placement %+v", pl)
	}
	bg := background(r)
	if !compose(bg, page.Image, q) {
		return nil, fmt.Errorf("docsynth: degenerate placement %+v", pl)
	}
	s := &Sample{Kind: page.Kind, Variant: v, MRZ: page.MRZ, Quad: q, Portrait: mapRect(toPhoto, page.Portrait)}
	if !page.MRZBand.Empty() {
		s.MRZQuad = mapRect(toPhoto, page.MRZBand)
	}
	if v != Clean {
		s.Defects = []string{string(v)}
	}
	img, f := v.degrade(bg, s, r)
	s.Image = img
	if f != 1 {
		s.Quad, s.MRZQuad, s.Portrait = s.Quad.Scale(f), s.MRZQuad.Scale(f), s.Portrait.Scale(f)
	}
	return s, nil
}

// SetOptions configures Set.
type SetOptions struct {
	// PerKind is the number of identities per kind (the first is the ICAO
	// specimen for the MRZ kinds).
	PerKind int
	// Kinds to render; nil means all.
	Kinds []Kind
	// Variants to apply; nil means all.
	Variants []Variant
	// Portraits are cycled through as holder photos; empty draws a
	// silhouette.
	Portraits []image.Image
}

// Set renders PerKind identities of each kind, each in every variant, all
// from one seed. It calls emit for each sample as it is made, so a caller
// need not hold the whole set in memory; emit returning an error stops it.
func (rd *Renderer) Set(seed int64, o SetOptions, emit func(*Sample) error) error {
	r := rand.New(rand.NewSource(seed))
	kinds, variants := o.Kinds, o.Variants
	if kinds == nil {
		kinds = Kinds[:]
	}
	if variants == nil {
		variants = Variants[:]
	}
	n := 0
	for _, k := range kinds {
		for i := range o.PerKind {
			id := RandomIdentity(k, r)
			if i == 0 {
				id = Specimen(k)
			}
			var portrait image.Image
			if len(o.Portraits) > 0 {
				portrait = o.Portraits[n%len(o.Portraits)]
			}
			n++
			page := rd.Render(k, id, portrait, r)
			pl := RandomPlacement(k, r)
			for _, v := range variants {
				vr := r
				if v == Screen {
					// Its own stream, so that adding the variant left
					// every other sample as it was.
					vr = rand.New(rand.NewSource(seed ^ int64(n)<<20))
				}
				s, err := Photo(page, pl, v, vr)
				if err != nil {
					return err
				}
				s.Name = fmt.Sprintf("%s-%02d-%s", k, i, v)
				if err := emit(s); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// Composite places each page at its placement in one clean photo: no page
// (an empty desk), a blank page, two documents side by side.
func Composite(pages []*Page, pls []Placement, r *rand.Rand) (*image.RGBA, []document.Quad, error) {
	bg := background(r)
	var quads []document.Quad
	for i, p := range pages {
		q := pls[i].quadFor(p.Image.Rect.Dx(), p.Image.Rect.Dy(), r)
		if !compose(bg, p.Image, q) {
			return nil, nil, fmt.Errorf("docsynth: degenerate placement %+v", pls[i])
		}
		quads = append(quads, q)
	}
	return bg, quads, nil
}

// BlankPage is an unprinted white card of kind k's size.
func BlankPage(k Kind) *Page {
	lay := Layouts[k]
	img := image.NewRGBA(image.Rect(0, 0, mm(lay.Width), mm(lay.Height)))
	for i := range img.Pix {
		img.Pix[i] = 238
	}
	return &Page{Kind: k, Image: img}
}
