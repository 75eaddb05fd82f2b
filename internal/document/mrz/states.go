package mrz

import "strings"

// iso3166 is the ISO 3166-1 alpha-3 list of country codes, which ICAO
// 9303 Part 3 uses for issuing states and nationalities.
const iso3166 = "" +
	"ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE " +
	"BDI BEL BEN BES BFA BGD BGR BHR BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA " +
	"CAF CAN CCK CHE CHL CHN CIV CMR COD COG COK COL COM CPV CRI CUB CUW CXR CYM CYP CZE " +
	"DEU DJI DMA DNK DOM DZA ECU EGY ERI ESH ESP EST ETH FIN FJI FLK FRA FRO FSM " +
	"GAB GBR GEO GGY GHA GIB GIN GLP GMB GNB GNQ GRC GRD GRL GTM GUF GUM GUY " +
	"HKG HMD HND HRV HTI HUN IDN IMN IND IOT IRL IRN IRQ ISL ISR ITA JAM JEY JOR JPN " +
	"KAZ KEN KGZ KHM KIR KNA KOR KWT LAO LBN LBR LBY LCA LIE LKA LSO LTU LUX LVA " +
	"MAC MAF MAR MCO MDA MDG MDV MEX MHL MKD MLI MLT MMR MNE MNG MNP MOZ MRT MSR MTQ MUS MWI MYS MYT " +
	"NAM NCL NER NFK NGA NIC NIU NLD NOR NPL NRU NZL OMN " +
	"PAK PAN PCN PER PHL PLW PNG POL PRI PRK PRT PRY PSE PYF QAT REU ROU RUS RWA " +
	"SAU SDN SEN SGP SGS SHN SJM SLB SLE SLV SMR SOM SPM SRB SSD STP SUR SVK SVN SWE SWZ SXM SYC SYR " +
	"TCA TCD TGO THA TJK TKL TKM TLS TON TTO TUN TUR TUV TWN TZA " +
	"UGA UKR UMI URY USA UZB VAT VCT VEN VGB VIR VNM VUT WLF WSM YEM ZAF ZMB ZWE"

// icaoSpecial is the codes ICAO 9303 Part 3 adds to ISO 3166: Germany's
// one-letter D (written "D<<"), the British nationality categories, the
// United Nations and EU issuers, the other international organisations,
// stateless persons and refugees, Kosovo, and the fictional Utopia of the
// specimens.
const icaoSpecial = "" +
	"D<< GBD GBN GBO GBP GBS " +
	"UNO UNA UNK EUE XOM XPO XCC XES XIM XDC XBA XEC XCE XCO " +
	"XXA XXB XXC XXX RKS UTO"

// KnownState reports whether code (three characters, '<'-padded) is an
// ISO 3166-1 alpha-3 code or one of ICAO's additional codes.
func KnownState(code string) bool {
	if len(code) != 3 || strings.ContainsRune(code, ' ') {
		return false
	}
	return strings.Contains(iso3166+" ", code+" ") || strings.Contains(icaoSpecial+" ", code+" ")
}
