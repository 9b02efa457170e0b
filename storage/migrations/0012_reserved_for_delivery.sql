-- Reserved for the delivery worker's 0012 (issue wave 3). A no-op so that 0013 can be applied
-- before it is merged; the lead deletes this file when the real 0012 arrives.
SELECT 1;
