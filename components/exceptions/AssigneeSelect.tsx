/** The assignee picker used by case and group assignment forms. */
export function AssigneeSelect({ users, value }: { users: { id: string; name: string; role: string }[]; value: string | null }) {
  return (
    <label>
      Assign to
      <select name="assigneeId" defaultValue={value ?? ''}>
        <option value="">Nobody</option>
        {users.map((u) => (
          <option key={u.id} value={u.id}>
            {u.name} ({u.role})
          </option>
        ))}
      </select>
    </label>
  );
}
