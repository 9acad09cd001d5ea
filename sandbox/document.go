package sandbox

// ValidCPF checks a CPF's 11 digits and its two check digits.
func ValidCPF(s string) bool {
	if len(s) != 11 || !allDigits(s) || allSame(s) {
		return false
	}
	return checkDigit(s[:9], 10) == s[9] && checkDigit(s[:10], 11) == s[10]
}

func checkDigit(s string, weight int) byte {
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
	if len(s) != 14 || !allDigits(s) || allSame(s) {
		return false
	}
	w1 := []int{5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2}
	w2 := []int{6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2}
	d := func(w []int) byte {
		sum := 0
		for i, x := range w {
			sum += int(s[i]-'0') * x
		}
		r := sum % 11
		if r < 2 {
			return '0'
		}
		return byte('0' + 11 - r)
	}
	return d(w1) == s[12] && d(w2) == s[13]
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func allSame(s string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] != s[0] {
			return false
		}
	}
	return true
}
