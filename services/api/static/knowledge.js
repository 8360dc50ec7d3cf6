// The knowledge base in the console (issue 18): filled in below.
