package mrz

// IsMRZChar reports whether c may appear in an MRZ.
func IsMRZChar(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c == '<'
}

// CharValue is the ICAO 9303 value of c: digits 0–9, A=10 … Z=35, '<'=0.
// It returns -1 for any other byte.
func CharValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	case c == '<':
		return 0
	}
	return -1
}

var weights = [3]int{7, 3, 1}

// CheckDigit computes the ICAO 9303 check digit (weights 7, 3, 1, sum
// modulo 10) of s. Bytes outside the MRZ alphabet count as 0.
func CheckDigit(s string) byte {
	return byte('0' + weightedSum(s, 0)%10)
}

// weightedSum is the 7-3-1 weighted sum of the values of s, s starting at
// position phase of the protected data.
func weightedSum(s string, phase int) int {
	sum := 0
	for i := 0; i < len(s); i++ {
		if v := CharValue(s[i]); v > 0 {
			sum += v * weights[(phase+i)%3]
		}
	}
	return sum
}

// checkDigitSpans computes the check digit over several spans as one
// string (the composite check digit), keeping the 7-3-1 phase across them.
func checkDigitSpans(lines []string, spans []Span) byte {
	sum, k := 0, 0
	for _, sp := range spans {
		sum += weightedSum(lines[sp.Line][sp.Start:sp.End], k)
		k += sp.End - sp.Start
	}
	return byte('0' + sum%10)
}
