import type { Metadata } from 'next';
import { requirePage } from '@/lib/auth/session';
import { ROLES, ROLE_LABELS } from '@/lib/auth/permissions';
import { listUsers } from '@/lib/admin/users';
import { MIN_PASSWORD_LENGTH } from '@/lib/auth/passwords';
import { formatDateTime } from '@/lib/format';
import { AdminNav } from '@/app/admin/AdminNav';
import { AdminForm } from '@/app/admin/AdminForm';
import { changeRoleAction, createUserAction, setDisabledAction } from '@/app/admin/actions';

export const metadata: Metadata = { title: 'Users' };

export default async function AdminUsersPage() {
  const viewer = await requirePage('admin.manage');
  const users = await listUsers();
  return (
    <section>
      <h1>Administration · Users</h1>
      <AdminNav current="/admin" />
      <h2>Invite or create a user</h2>
      <AdminForm action={createUserAction} submit="Create user" className="filters">
        <label>
          Email
          <input name="email" type="email" required />
        </label>
        <label>
          Name
          <input name="name" required />
        </label>
        <label>
          Role
          <select name="role" defaultValue="viewer">
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Initial password
          <input name="password" type="password" autoComplete="new-password" minLength={MIN_PASSWORD_LENGTH} aria-describedby="password-help" />
        </label>
        <span id="password-help" className="muted">
          Leave empty to invite an SSO user (linked on first single sign-on by verified email).
        </span>
      </AdminForm>
      <h2>Users</h2>
      {users.length === 0 ? (
        <p className="empty">No users yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Name</th>
              <th scope="col">Sign-in</th>
              <th scope="col">Last sign-in</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id}>
                <td>{u.email}</td>
                <td>{u.name}</td>
                <td>{[u.hasPassword ? 'password' : null, u.sso ? 'SSO' : null].filter(Boolean).join(' + ') || 'invited'}</td>
                <td>{u.lastLoginAt ? formatDateTime(u.lastLoginAt.toISOString()) : 'never'}</td>
                <td>
                  {u.id === viewer.id ? (
                    ROLE_LABELS[u.role]
                  ) : (
                    <AdminForm action={changeRoleAction} submit="Change role" className="filters">
                      <input type="hidden" name="userId" value={u.id} />
                      <label>
                        <span className="visually-hidden">Role for {u.email}</span>
                        <select name="role" defaultValue={u.role} aria-label={`Role for ${u.email}`}>
                          {ROLES.map((r) => (
                            <option key={r} value={r}>
                              {ROLE_LABELS[r]}
                            </option>
                          ))}
                        </select>
                      </label>
                    </AdminForm>
                  )}
                </td>
                <td>
                  {u.disabled ? <span className="badge bad">Disabled</span> : u.lockedUntil ? <span className="badge warn">Locked</span> : <span className="badge good">Active</span>}
                  {u.id !== viewer.id && (
                    <AdminForm action={setDisabledAction} submit={u.disabled ? 'Enable' : u.lockedUntil ? 'Unlock' : 'Disable'}>
                      <input type="hidden" name="userId" value={u.id} />
                      <input type="hidden" name="disabled" value={u.disabled || u.lockedUntil ? 'false' : 'true'} />
                    </AdminForm>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
