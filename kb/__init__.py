"""kb: a searchable knowledge base over the WIPO Conversation on IP and Frontier Technologies."""

__version__ = "0.1.0"
