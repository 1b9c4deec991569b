ALTER TABLE recommendations RESET (fillfactor);
