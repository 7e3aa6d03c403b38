"""The console (staff) and the portal (the people whose data hogo holds), server-rendered."""
