"""`ij demo`: a sample journal with one realistic incident."""
