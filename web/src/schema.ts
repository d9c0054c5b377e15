// Client-side mirror of src/domain/schema/entities.cpp: field names, types and EN/FR labels.
// The server stays the authority for validation; this only drives forms and columns.
export type FieldType =
  | 'text'
  | 'long_text'
  | 'integer'
  | 'money'
  | 'currency'
  | 'date'
  | 'datetime'
  | 'boolean'
  | 'enum'
  | 'text_list'
  | 'reference'
  | 'reference_list'
  | 'object'
  | 'list';

export interface FieldDef {
  name: string;
  type: FieldType;
  en: string;
  fr: string;
  readOnly?: boolean;
  required?: boolean;
  values?: string[];
  references?: string; // entity plural for references
}

const f = (name: string, type: FieldType, en: string, fr: string, extra: Partial<FieldDef> = {}): FieldDef => ({
  name,
  type,
  en,
  fr,
  ...extra,
});

const system = {
  id: f('id', 'integer', 'ID', 'ID', { readOnly: true }),
  version: f('version', 'integer', 'Version', 'Version', { readOnly: true }),
  created_at: f('created_at', 'datetime', 'Created', 'Créé le', { readOnly: true }),
  updated_at: f('updated_at', 'datetime', 'Updated', 'Modifié le', { readOnly: true }),
};
const owner = f('owner_id', 'reference', 'Owner', 'Propriétaire', { references: 'users' });
const team = f('team_id', 'reference', 'Team', 'Équipe', { references: 'teams' });

export const LIFECYCLE = ['subscriber', 'lead', 'mql', 'sql', 'opportunity', 'customer', 'evangelist', 'other'];
export const COMPANY_SIZES = ['1-10', '11-50', '51-200', '201-500', '501-1000', '1000+'];
export const ROLES = ['admin', 'manager', 'sales', 'marketing', 'support', 'readonly'];

export const schemas: Record<string, FieldDef[]> = {
  contacts: [
    system.id,
    f('first_name', 'text', 'First name', 'Prénom'),
    f('last_name', 'text', 'Last name', 'Nom'),
    f('emails', 'text_list', 'E-mails', 'E-mails'),
    f('phones', 'text_list', 'Phones', 'Téléphones'),
    f('title', 'text', 'Job title', 'Fonction'),
    f('company_id', 'reference', 'Company', 'Entreprise', { references: 'companies' }),
    f('address', 'text', 'Address', 'Adresse'),
    f('city', 'text', 'City', 'Ville'),
    f('postcode', 'text', 'Postcode', 'Code postal'),
    f('country', 'text', 'Country', 'Pays'),
    f('tags', 'text_list', 'Tags', 'Étiquettes'),
    f('lifecycle_stage', 'enum', 'Lifecycle stage', 'Cycle de vie', { values: LIFECYCLE }),
    f('source', 'text', 'Source', 'Source'),
    owner,
    team,
    f('score', 'integer', 'Score', 'Score', { readOnly: true }),
    system.version,
    system.created_at,
    system.updated_at,
  ],
  companies: [
    system.id,
    f('name', 'text', 'Name', 'Nom', { required: true }),
    f('domain', 'text', 'Domain', 'Domaine'),
    f('industry', 'text', 'Industry', 'Secteur'),
    f('size', 'enum', 'Size', 'Taille', { values: COMPANY_SIZES }),
    f('phone', 'text', 'Phone', 'Téléphone'),
    f('address', 'text', 'Address', 'Adresse'),
    f('city', 'text', 'City', 'Ville'),
    f('postcode', 'text', 'Postcode', 'Code postal'),
    f('country', 'text', 'Country', 'Pays'),
    f('tags', 'text_list', 'Tags', 'Étiquettes'),
    owner,
    team,
    system.version,
    system.created_at,
    system.updated_at,
  ],
  deals: [
    system.id,
    f('title', 'text', 'Title', 'Titre', { required: true }),
    f('amount', 'money', 'Amount', 'Montant'),
    f('currency', 'currency', 'Currency', 'Devise'),
    f('pipeline_id', 'reference', 'Pipeline', 'Pipeline', { references: 'pipelines', required: true }),
    f('stage_id', 'text', 'Stage', 'Étape'),
    f('probability', 'integer', 'Probability', 'Probabilité'),
    f('expected_close_date', 'date', 'Expected close date', 'Date de clôture prévue'),
    owner,
    team,
    f('contact_ids', 'reference_list', 'Contacts', 'Contacts', { references: 'contacts' }),
    f('company_id', 'reference', 'Company', 'Entreprise', { references: 'companies' }),
    f('status', 'enum', 'Status', 'Statut', { readOnly: true, values: ['open', 'won', 'lost'] }),
    f('lost_reason', 'text', 'Lost reason', 'Motif de perte'),
    f('stage_changed_at', 'datetime', 'Stage changed', "Changement d'étape", { readOnly: true }),
    f('closed_at', 'datetime', 'Closed', 'Clôturée le', { readOnly: true }),
    system.version,
    system.created_at,
    system.updated_at,
  ],
  tasks: [
    system.id,
    f('title', 'text', 'Title', 'Titre', { required: true }),
    f('description', 'long_text', 'Description', 'Description'),
    f('due_date', 'date', 'Due date', 'Échéance'),
    f('assignee_id', 'reference', 'Assignee', 'Responsable', { references: 'users' }),
    f('priority', 'enum', 'Priority', 'Priorité', { values: ['low', 'normal', 'high', 'urgent'] }),
    f('status', 'enum', 'Status', 'Statut', { values: ['open', 'done', 'cancelled'] }),
    f('completed_at', 'datetime', 'Completed', 'Terminée le', { readOnly: true }),
    f('contact_id', 'reference', 'Contact', 'Contact', { references: 'contacts' }),
    f('company_id', 'reference', 'Company', 'Entreprise', { references: 'companies' }),
    f('deal_id', 'reference', 'Deal', 'Opportunité', { references: 'deals' }),
    owner,
    team,
    system.version,
    system.created_at,
    system.updated_at,
  ],
};

export function fieldDef(resource: string, name: string): FieldDef | undefined {
  return schemas[resource]?.find((d) => d.name === name);
}

// Fields the user may edit in a form (read-only and system fields are never sent).
export function editableFields(resource: string): FieldDef[] {
  return (schemas[resource] || []).filter((d) => !d.readOnly && d.type !== 'object' && d.type !== 'list');
}

export const defaultColumns: Record<string, string[]> = {
  contacts: ['name', 'emails', 'company_id', 'city', 'lifecycle_stage', 'score', 'owner_id'],
  companies: ['name', 'domain', 'industry', 'city', 'size', 'owner_id'],
  deals: ['title', 'amount', 'stage_id', 'status', 'expected_close_date', 'owner_id'],
};

// Import fields and the headers that suggest them, mirroring domain/importing/header_mapping.cpp
// (headers folded: accents removed, lower case, punctuation as spaces).
export interface ImportField {
  field: string;
  en: string;
  fr: string;
  synonyms: string[];
}
const imp = (field: string, en: string, fr: string, synonyms: string[]): ImportField => ({ field, en, fr, synonyms });
const addressImport = [
  imp('address', 'Address', 'Adresse', ['adresse', 'adresse postale', 'street', 'rue', 'adresse 1']),
  imp('city', 'City', 'Ville', ['ville', 'commune', 'town']),
  imp('postcode', 'Postcode', 'Code postal', ['postal code', 'post code', 'zip', 'zip code', 'code postal', 'cp']),
  imp('country', 'Country', 'Pays', ['pays']),
  imp('tags', 'Tags', 'Étiquettes', ['tag', 'etiquettes', 'etiquette', 'labels', 'mots cles']),
];
const ownerImport = [
  imp('owner_email', 'Owner (e-mail)', 'Propriétaire (e-mail)', ['owner', 'owner email', 'proprietaire', 'email du proprietaire', 'responsable', 'commercial']),
];
export const importFields: Record<string, ImportField[]> = {
  contacts: [
    imp('first_name', 'First name', 'Prénom', ['firstname', 'prenom', 'given name']),
    imp('last_name', 'Last name', 'Nom', ['lastname', 'nom', 'nom de famille', 'surname', 'family name']),
    imp('email', 'E-mail', 'E-mail', ['e mail', 'emails', 'e mails', 'courriel', 'mail', 'adresse e mail', 'adresse email', 'adresse mail', 'email address', 'e mail address', 'adresse courriel']),
    imp('phone', 'Phone', 'Téléphone', ['phones', 'telephone', 'telephones', 'tel', 'phone number', 'numero de telephone', 'telephone fixe', 'telephone professionnel', 'telephone pro']),
    imp('mobile', 'Mobile', 'Portable', ['portable', 'telephone mobile', 'telephone portable', 'mobile phone', 'cell', 'gsm']),
    imp('title', 'Job title', 'Fonction', ['job title', 'fonction', 'poste', 'intitule de poste', 'titre']),
    imp('company', 'Company (name)', 'Entreprise (nom)', ['company name', 'societe', 'entreprise', 'organisation', 'organization', 'raison sociale', 'compte']),
    imp('lifecycle_stage', 'Lifecycle stage', 'Cycle de vie', ['lifecycle', 'cycle de vie', 'etape du cycle de vie', 'statut']),
    imp('source', 'Source', 'Source', ['origine', 'lead source', 'source du contact']),
    ...addressImport,
    ...ownerImport,
  ],
  companies: [
    imp('name', 'Name', 'Nom', ['company', 'company name', 'nom', 'societe', 'entreprise', 'raison sociale', 'nom de l entreprise', 'nom de la societe', 'organisation']),
    imp('domain', 'Domain', 'Domaine', ['domaine', 'website', 'web site', 'site web', 'site internet', 'url', 'site']),
    imp('industry', 'Industry', 'Secteur', ['secteur', 'secteur d activite', 'activite']),
    imp('size', 'Size', 'Taille', ['taille', 'effectif', 'effectifs', 'employees', 'nombre de salaries']),
    imp('phone', 'Phone', 'Téléphone', ['telephone', 'tel', 'standard']),
    ...addressImport,
    ...ownerImport,
  ],
  deals: [
    imp('title', 'Title', 'Titre', ['name', 'deal', 'deal name', 'titre', 'nom', 'opportunite', 'affaire', 'intitule', 'nom de l opportunite']),
    imp('amount', 'Amount', 'Montant', ['montant', 'value', 'valeur', 'montant ht', 'deal amount']),
    imp('currency', 'Currency', 'Devise', ['devise']),
    imp('pipeline', 'Pipeline (name)', 'Pipeline (nom)', []),
    imp('stage', 'Stage', 'Étape', ['etape', 'deal stage', 'phase', 'stage id']),
    imp('probability', 'Probability', 'Probabilité', ['probabilite']),
    imp('expected_close_date', 'Expected close date', 'Date de clôture prévue', ['close date', 'closing date', 'date de cloture prevue', 'date de cloture', 'cloture prevue']),
    imp('company', 'Company (name)', 'Entreprise (nom)', ['societe', 'entreprise', 'compte', 'company name']),
    imp('contact_email', 'Contact (e-mail)', 'Contact (e-mail)', ['contact', 'contact email', 'email', 'e mail', 'email du contact', 'e mail du contact', 'courriel']),
    imp('lost_reason', 'Lost reason', 'Motif de perte', ['motif de perte']),
    ...ownerImport,
  ],
};

export function foldHeader(h: string): string {
  return h
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

export function suggestMapping(resource: string, header: string): string {
  const folded = foldHeader(header);
  for (const f of importFields[resource] || []) {
    if (foldHeader(f.field) === folded || f.synonyms.includes(folded)) return f.field;
  }
  return '';
}
