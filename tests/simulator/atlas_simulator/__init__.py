"""A simulator of the MongoDB Atlas Administration API v2 subset cloudwire.atlas uses, backed by moto server."""
