package function

import "strings"

// Values of Document.Status.
const (
	StatusAvailable    = "service available"
	StatusNotAvailable = "service not available"
)

// NotApplicable is the placeholder for a field that KESL did not report.
const NotApplicable = "N/A"

// Reasons in Document.Reasons.
const (
	ReasonNoResponse         = "KESL not response"
	ReasonDatabasesNotLoaded = "Databases not loaded"
	licenseErrorPrefix       = "License error: "
	licenseValid             = "The key is valid"
)

// Facts are the six fields of "product info" that KESL reports about
// itself. Strings are passed through trimmed, as kesl-control printed them.
// An empty string means that KESL did not print the field.
type Facts struct {
	DatabasesDate     string
	DatabasesLoaded   bool
	LicenseExpiration string
	LicenseInfo       string
	Policy            string
	Version           string
}

// Document is the body of GET /status.
type Document struct {
	ProductInfo Facts
	Status      string
	// Reasons is non-empty exactly when Status is StatusNotAvailable.
	Reasons []string
}

// Available reports whether d's status is "service available".
func (d Document) Available() bool {
	return d.Status == StatusAvailable
}

// Evaluate builds the document for facts that KESL reported: the reasons are
// "Databases not loaded" when the databases are not loaded and
// "License error: <license_info>" when the licence information is anything
// but "The key is valid", in that order. Missing fields become "N/A".
func Evaluate(f Facts) Document {
	f = f.withPlaceholders()

	var reasons []string
	if !f.DatabasesLoaded {
		reasons = append(reasons, ReasonDatabasesNotLoaded)
	}
	if f.LicenseInfo != licenseValid {
		reasons = append(reasons, licenseErrorPrefix+f.LicenseInfo)
	}

	if len(reasons) == 0 {
		return Document{ProductInfo: f, Status: StatusAvailable}
	}
	return Document{ProductInfo: f, Status: StatusNotAvailable, Reasons: reasons}
}

// NotAvailable builds the document for a check that got no facts: every
// string field is "N/A", the databases are not loaded and reason is the only
// entry of Reasons.
func NotAvailable(reason string) Document {
	return Document{
		ProductInfo: Facts{}.withPlaceholders(),
		Status:      StatusNotAvailable,
		Reasons:     []string{reason},
	}
}

func (f Facts) withPlaceholders() Facts {
	for _, s := range []*string{
		&f.DatabasesDate, &f.LicenseExpiration, &f.LicenseInfo, &f.Policy, &f.Version,
	} {
		*s = strings.TrimSpace(*s)
		if *s == "" {
			*s = NotApplicable
		}
	}
	return f
}
