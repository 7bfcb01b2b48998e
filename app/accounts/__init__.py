"""Officers and their accounts: records, passwords, activation codes, login sessions."""
