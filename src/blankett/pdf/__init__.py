"""The form as PDF: written (filled), read back, and made from LibreOffice's export."""
