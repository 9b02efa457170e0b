"""Policy answers: the knowledge base drawn from the two source texts, and the matcher."""
