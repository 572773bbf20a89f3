"""The bare reference of the search benchmark: the floor of any Django request here."""
