-- One audit_logs row per GDPR action: who (the platform), what, on whom, and what it did, as
-- counts only (never personal data).
INSERT INTO audit_logs (user_id, actor_type, actor_id, action, resource, resource_id,
                        new_values, risk_level, data_category, legal_basis)
VALUES (%(user_id)s, 'SYSTEM', 'jobswipe-pipeline', %(action)s, %(resource)s, %(resource_id)s,
        %(details)s, 'MEDIUM', 'personal_data', %(legal_basis)s)
