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

// Headers recognised by the import wizard, in English and French (lower-cased, accents removed).
export const importSynonyms: Record<string, Record<string, string>> = {
  contacts: {
    first_name: 'first_name', firstname: 'first_name', 'first name': 'first_name', prenom: 'first_name',
    last_name: 'last_name', lastname: 'last_name', 'last name': 'last_name', nom: 'last_name', 'nom de famille': 'last_name',
    email: 'emails', emails: 'emails', 'e-mail': 'emails', mail: 'emails', courriel: 'emails', 'adresse e-mail': 'emails',
    phone: 'phones', phones: 'phones', telephone: 'phones', tel: 'phones', mobile: 'phones', portable: 'phones',
    title: 'title', 'job title': 'title', fonction: 'title', poste: 'title',
    company: 'company', societe: 'company', entreprise: 'company', organisation: 'company',
    address: 'address', adresse: 'address', city: 'city', ville: 'city',
    postcode: 'postcode', 'postal code': 'postcode', zip: 'postcode', 'code postal': 'postcode', cp: 'postcode',
    country: 'country', pays: 'country', tags: 'tags', etiquettes: 'tags',
    lifecycle_stage: 'lifecycle_stage', 'cycle de vie': 'lifecycle_stage', source: 'source',
  },
  companies: {
    name: 'name', nom: 'name', company: 'name', societe: 'name', entreprise: 'name', 'raison sociale': 'name',
    domain: 'domain', domaine: 'domain', website: 'domain', 'site web': 'domain',
    industry: 'industry', secteur: 'industry', size: 'size', taille: 'size', phone: 'phone', telephone: 'phone',
    address: 'address', adresse: 'address', city: 'city', ville: 'city', postcode: 'postcode', 'code postal': 'postcode',
    country: 'country', pays: 'country', tags: 'tags', etiquettes: 'tags',
  },
  deals: {
    title: 'title', titre: 'title', name: 'title', nom: 'title', amount: 'amount', montant: 'amount',
    currency: 'currency', devise: 'currency', stage: 'stage_id', etape: 'stage_id', stage_id: 'stage_id',
    probability: 'probability', probabilite: 'probability',
    expected_close_date: 'expected_close_date', 'close date': 'expected_close_date', 'date de cloture': 'expected_close_date',
    company: 'company', entreprise: 'company', societe: 'company', pipeline: 'pipeline_id',
  },
};

export function foldHeader(h: string): string {
  return h.normalize('NFD').replace(/[\u0300-\u036f]/g, '').trim().toLowerCase().replace(/[_\s]+/g, ' ');
}

export function suggestMapping(resource: string, header: string): string {
  const syn = importSynonyms[resource] || {};
  const folded = foldHeader(header);
  return syn[folded] || syn[folded.replace(/ /g, '_')] || '';
}
