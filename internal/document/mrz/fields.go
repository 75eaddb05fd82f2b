package mrz

// FieldMap returns the parsed fields by the snake_case names the document
// JSON uses (document_number, surname, given_names, nationality,
// issuing_state, birth_date and expiry_date as YYYY-MM-DD when valid, sex,
// document_code, optional_data, and optional_data_2 for TD1).
func (r *Result) FieldMap() map[string]string {
	m := map[string]string{
		"document_code":   r.DocumentCode,
		"issuing_state":   r.IssuingState,
		"surname":         r.Surname,
		"given_names":     r.GivenNames,
		"document_number": r.DocumentNumber,
		"nationality":     r.Nationality,
		"birth_date":      r.BirthDate.String(),
		"sex":             r.Sex,
		"expiry_date":     r.ExpiryDate.String(),
		"optional_data":   r.OptionalData,
	}
	if r.Format == TD1 {
		m["optional_data_2"] = r.OptionalData2
	}
	return m
}

// CheckMap returns whether each check digit passed, by check name
// (document_number, birth_date, expiry_date, optional_data, composite).
func (r *Result) CheckMap() map[string]bool {
	m := make(map[string]bool, len(r.Checks))
	for _, c := range r.Checks {
		m[c.Name] = c.OK
	}
	return m
}
