-- First half of a promotion: at most one CHAMPION may exist at any moment (unique index).
UPDATE model_registry SET status = 'RETIRED' WHERE status = 'CHAMPION'
