"""Write and read operations on the model; each takes a session and never commits."""
