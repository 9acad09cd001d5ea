package auth

// ValidCPF checks a CPF's 11 digits and its two check digits.
func ValidCPF(s string) bool {
	if len(s) != 11 || !digits(s) || same(s) {
		return false
	}
	return cpfDigit(s[:9], 10) == s[9] && cpfDigit(s[:10], 11) == s[10]
}

func cpfDigit(s string, weight int) byte {
	sum := 0
	for i := range len(s) {
		sum += int(s[i]-'0') * (weight - i)
	}
	r := sum * 10 % 11
	if r == 10 {
		r = 0
	}
	return byte('0' + r)
}

// ValidCNPJ checks a CNPJ's 14 digits and its two check digits.
func ValidCNPJ(s string) bool {
	if len(s) != 14 || !digits(s) || same(s) {
		return false
	}
	d := func(n int) byte {
		sum, w := 0, n-7
		for i := 0; i < n; i++ {
			sum += int(s[i]-'0') * w
			w--
			if w < 2 {
				w = 9
			}
		}
		r := sum % 11
		if r < 2 {
			return '0'
		}
		return byte('0' + 11 - r)
	}
	return d(12) == s[12] && d(13) == s[13]
}

func digits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func same(s string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] != s[0] {
			return false
		}
	}
	return true
}
